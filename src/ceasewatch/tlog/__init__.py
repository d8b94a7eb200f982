"""Transparency-log formats, pure and without I/O: RFC 6962 Merkle trees (`merkle`), C2SP
signed notes (`note`) and checkpoints (`checkpoint`), the parties' public keys
(`keyring`), and checking an audit export against them (`exported`, `proofs`)."""
