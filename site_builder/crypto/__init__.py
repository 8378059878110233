"""Open Badges 3.0 signing: keys and DIDs, eddsa-rdfc-2022 proofs, bitstring status lists."""
