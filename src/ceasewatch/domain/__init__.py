"""The pure core of ceasewatch: no I/O, no framework, no wall clock."""
