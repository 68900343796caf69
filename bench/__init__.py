"""A large generated data set and a timing script for the main pages (see README.md)."""
