"""A durable outbox: grades for an LMS and statements for an LRS, delivered in order, retried,
never lost and never sent twice."""
