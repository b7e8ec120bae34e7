"""The platform outbox: the table every feature queues email in, the mail helper and the delivery worker."""
