/** The ZooKeeper client wire protocol: jute records, framing, requests, replies, four-letter words. */
export * from './constants.js';
export * from './juteReader.js';
export * from './juteWriter.js';
export * from './records.js';
export * from './multi.js';
export * from './frame.js';
export * from './requests.js';
export * from './responses.js';
export * from './fourLetterWords.js';
