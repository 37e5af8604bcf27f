"""Editing a matter makes a new version; the old one stays for the cases accepted under it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.shared.catalog.models import Matter
from apps.shared.catalog.services import matter_draft_from, matter_save

pytestmark = pytest.mark.django_db


def test_it_makes_a_new_version_and_keeps_the_old_one(make):
    v1 = make()
    draft = matter_draft_from(v1)
    draft.matter.promised_days = 5
    draft.materials[1].name = "近期一寸白底免冠彩色照片"
    v2, outcome = matter_save(draft=draft, change_note="承诺时限缩短")

    assert outcome == "versioned" and v2.version == 2 and v2.pk != v1.pk
    v1.refresh_from_db()
    assert not v1.is_current and v1.promised_days == 10
    assert Matter.objects.get(code=v1.code, is_current=True) == v2
    assert v2.change_note == "承诺时限缩短"
    # Keys follow the materials across versions; the old rows stay with the old version.
    assert [(m.key, m.name) for m in v2.materials.all()] == [
        ("id-card", "居民身份证"),
        ("photo", "近期一寸白底免冠彩色照片"),
    ]
    assert [m.name for m in v1.materials.all()] == ["居民身份证", "近期免冠照片"]


def test_it_does_not_version_an_unchanged_matter(make):
    v1 = make()
    same, outcome = matter_save(draft=matter_draft_from(v1))
    assert outcome == "unchanged" and same.pk == v1.pk
    assert Matter.objects.filter(code=v1.code).count() == 1


def test_the_admin_edit_makes_a_new_version(make, admin_client):
    v1 = make(charged=True)
    url = reverse("admin:catalog_matter_change", args=[v1.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    form = _admin_post_data(page)
    form["promised_days"] = "7"
    form["change_note"] = "压缩承诺时限"
    response = admin_client.post(url, form)
    assert response.status_code == 302, _errors(response)

    v2 = Matter.objects.get(code=v1.code, is_current=True)
    assert v2.version == 2 and v2.promised_days == 7 and v2.change_note == "压缩承诺时限"
    assert [f.name for f in v2.fee_items.all()] == ["工本费"]
    assert sorted(v2.materials.values_list("key", flat=True)) == ["id-card", "photo"]
    v1.refresh_from_db()
    assert not v1.is_current and v1.promised_days == 10
    # The old version is shown, not changed.
    assert admin_client.post(url, form).status_code == 403


def test_the_admin_form_shows_the_rule_broken(make, admin_client):
    v1 = make(charged=True)
    url = reverse("admin:catalog_matter_change", args=[v1.pk])
    form = _admin_post_data(admin_client.get(url))
    form["trips_reason"] = ""
    form["fee_items-0-DELETE"] = "on"
    response = admin_client.post(url, form)
    assert response.status_code == 200
    text = response.content.decode()
    assert "须写明必须现场办理的原因" in text
    assert "收费事项须至少列出一个收费项目" in text
    assert Matter.objects.filter(code=v1.code).count() == 1


def _admin_post_data(page) -> dict:
    """The change form as a browser would post it back: every field's current value."""
    form = page.context["adminform"].form
    data: dict = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[name] = list(value) if name != "receiving_halls" else ",".join(value)
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        prefix = fs.prefix
        data[f"{prefix}-TOTAL_FORMS"] = fs.total_form_count()
        data[f"{prefix}-INITIAL_FORMS"] = fs.initial_form_count()
        for i, f in enumerate(fs.forms):
            for name in f.fields:
                value = f[name].value()
                if isinstance(value, bool):
                    if value:
                        data[f"{prefix}-{i}-{name}"] = "on"
                elif value is not None:
                    data[f"{prefix}-{i}-{name}"] = value
    return data


def _errors(response) -> str:
    if getattr(response, "context", None) and "adminform" in response.context:
        return str(response.context["adminform"].form.errors) + str(
            [fs.formset.errors for fs in response.context["inline_admin_formsets"]]
        )
    return response.content[:500]
