# shell helpers for integration tests
