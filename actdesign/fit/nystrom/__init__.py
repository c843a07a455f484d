"""Nystrom (FALKON) kernel ridge regression: row blocks, preconditioned CG, backends."""
