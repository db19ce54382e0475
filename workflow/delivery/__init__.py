"""Delivering the outbox: claim due messages, send mail (SMTP or .eml files) and signed webhooks."""

from workflow.delivery.worker import DeliveryReport, claim_due, deliver_due, run_worker

__all__ = ["DeliveryReport", "claim_due", "deliver_due", "run_worker"]
