"""The events the accounts feature publishes (P13)."""

TRANSFER_COMPLETED = "transfer.completed"
