"""The call-centre simulator: whole days on a virtual clock."""
