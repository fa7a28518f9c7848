"""The parameter studies of ``jcaco study`` (MASL options, normalisers, bandit defaults)."""
