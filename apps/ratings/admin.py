from django.contrib import admin

from .models import Evaluation

admin.site.register(Evaluation, list_display=["case", "score", "channel", "created_at"], list_filter=["score"])
