"""Fakes of outside systems (a province's upstream APIs): real HTTP servers on loopback."""
