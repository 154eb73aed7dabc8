"""The events the users feature publishes (P13), named `<feature>.<what happened>`."""

USER_CREATED = "user.created"
USER_UPDATED = "user.updated"
USER_DELETED = "user.deleted"
