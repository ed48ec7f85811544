"""In-app notifications and to-do items (提醒与待办), with optional email. See docs/notify.md."""
