"""Writes of sampling/lab, one module per aggregate (docs/architecture.md §2.1): ``results`` (receipt, results of
a round, the sample's conclusion), ``disposals`` (核查处置 and its clocks), ``members`` (who acts for a lab).
Import from the module that defines a name; this package re-exports nothing."""
