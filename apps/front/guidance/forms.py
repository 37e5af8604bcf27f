"""The guide page's input: the answers to a matter's guided questions, posted as ``q_<key>``. Which answers a
question allows is the service's rule (guidance.services.checklist_save); the form only reads them."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms

ANSWER_PREFIX = "q_"


class GuidedAnswersForm(forms.Form):
    def __init__(self, questions: Iterable, data=None) -> None:
        super().__init__(data)
        for question in questions:
            self.fields[ANSWER_PREFIX + question.key] = forms.CharField(required=False, max_length=64)

    def answers(self) -> dict[str, str]:
        """{question key: answer} for every question of the matter ("" where none was chosen)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {name[len(ANSWER_PREFIX) :]: data.get(name, "") for name in self.fields}
