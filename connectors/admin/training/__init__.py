"""Train and publish from the staff console: build (validate, train, score), publish, roll back."""
