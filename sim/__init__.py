"""The rollout simulator of the national e-document exchange network."""
