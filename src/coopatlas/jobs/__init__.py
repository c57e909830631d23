"""Long work run outside web requests: jobs queued with django-tasks, their state and progress."""
