"""Credentials and passes: Argon2 password hashes, signed API and boarding-pass tokens, QR codes, PDFs."""
