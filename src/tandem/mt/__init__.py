"""Machine translation: argos package management and the batched engine."""
