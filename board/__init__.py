"""The onboarding board: rollout phases × certification × simulation."""
