------------------------------- MODULE MCZab -------------------------------
(***************************************************************************)
(* The model TLC checks: Zab with the bounds of MCZab.cfg (the standard    *)
(* model, STANDARD_MODEL in src/model/ModelConfig.ts) or of another        *)
(* MCZab_*.cfg.  Nothing is overridden: the cfg files only set CONSTANTS.  *)
(***************************************************************************)
EXTENDS Zab

=============================================================================
