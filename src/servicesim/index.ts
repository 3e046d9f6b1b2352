/** The service simulator: the protocol model, a data tree per server, simulated clients, and the history checks. */
export * from './ServiceSimOptions.js';
export * from './ServiceRecords.js';
export * from './randomOperation.js';
export * from './ServiceSimulator.js';
export * from './simulateService.js';
export * from './formatServiceSummary.js';
export * from './serviceSimulateCommand.js';
