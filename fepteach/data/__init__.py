"""Small data tables shipped with fepteach (reference values quoted from published results)."""
