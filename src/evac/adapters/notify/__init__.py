"""Notification adapters: Jinja2 templates in Russian, English and Arabic; SMTP and webhook (SMS) senders."""
