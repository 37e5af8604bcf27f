"""Demo guided questions for a few demo matters (loaded by ``manage.py guidance_load_demo``)."""

from __future__ import annotations

from typing import Any

SOCIAL_CARD = "11011202000000000000-000201-01"  # 社会保障卡申领
SOCIAL_CARD_REISSUE = "11011202000000000000-000202-01"  # 社会保障卡补领、换领
ID_CARD = "11011201000000000000-000101-01"  # 居民身份证申领（换领、补领）

PROXY = {
    "key": "proxy",
    "text": "是否代他人办理？",
    "help_text": "由他人代为申请的，受托人须携带授权委托书和本人身份证。",
    "kind": "yes_no",
    "rules": [
        {
            "answer": "yes",
            "material_key": "power-of-attorney",
            "effect": "include",
            "note": "委托书须载明委托事项、权限和期限，由委托人签字；受托人携带本人居民身份证原件",
        },
    ],
}

DEMO_QUESTIONS: dict[str, list[dict[str, Any]]] = {
    SOCIAL_CARD: [
        PROXY,
        {
            "key": "minor",
            "text": "申请人是否未满十六周岁？",
            "help_text": "未满十六周岁的，由监护人陪同办理。",
            "kind": "yes_no",
            "rules": [
                {
                    "answer": "yes",
                    "material_key": "guardian-id-card",
                    "effect": "include",
                    "note": "监护人陪同并出示本人居民身份证原件，同时携带户口簿或出生医学证明以证明监护关系",
                },
            ],
        },
        {
            "key": "photo",
            "text": "近一年内是否办理过居民身份证或社保业务并留存了合格照片？",
            "help_text": "已有合格照片留存的，可调取使用，无需再交照片。",
            "kind": "choice",
            "options": [("kept", "是，已留存合格照片"), ("none", "否，或不确定")],
            "rules": [{"answer": "kept", "material_key": "photo", "effect": "exclude", "note": ""}],
        },
    ],
    SOCIAL_CARD_REISSUE: [
        {
            "key": "reason",
            "text": "办理原因是什么？",
            "help_text": "",
            "kind": "choice",
            "options": [("lost", "丢失补领"), ("damaged", "损坏换领"), ("changed", "信息变更换领")],
            "rules": [
                {
                    "answer": "damaged",
                    "material_key": "social-security-card",
                    "effect": "include",
                    "note": "交回损坏的原社会保障卡",
                },
                {
                    "answer": "changed",
                    "material_key": "social-security-card",
                    "effect": "include",
                    "note": "交回原社会保障卡，姓名、身份证号等信息以公安机关登记为准",
                },
                {"answer": "lost", "material_key": "social-security-card", "effect": "exclude", "note": ""},
            ],
        },
        PROXY,
    ],
    ID_CARD: [
        {
            "key": "kind",
            "text": "您要办理哪一种？",
            "help_text": "",
            "kind": "choice",
            "options": [("first", "首次申领"), ("renew", "有效期满换领或损坏换领"), ("lost", "丢失补领")],
            "rules": [
                {"answer": "renew", "material_key": "m2", "effect": "include", "note": "交回原居民身份证"},
                {"answer": "first", "material_key": "m2", "effect": "exclude", "note": ""},
                {"answer": "lost", "material_key": "m2", "effect": "exclude", "note": ""},
            ],
        },
        {
            "key": "minor",
            "text": "申请人是否未满十六周岁？",
            "help_text": "",
            "kind": "yes_no",
            "rules": [
                {
                    "answer": "yes",
                    "material_key": "guardian-id-card",
                    "effect": "include",
                    "note": "监护人陪同并出示本人居民身份证原件",
                },
            ],
        },
    ],
}
