"""Status lookup without an account, the citizen's delivery choice, pickup at the window and the
courier's signed status callback."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.front.intake.selectors import case_get_for_citizen
from apps.shared.accounts.permissions import IsCitizen, IsClerk
from apps.shared.exchange.conf import exchange_conf
from govservice.api import DomainError
from govservice.lib import signing
from govservice.schema import ErrorSerializer
from govservice.throttling import client_ip

from .models import Delivery, DeliveryMethod
from .selectors import case_public_status, delivery_for_case
from .services import case_lookup, delivery_choose, delivery_choose_at_window, delivery_courier_push, delivery_pickup


class TrackRequestSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=64)
    password = serializers.CharField(max_length=64)


class TrackEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    status = serializers.CharField()
    status_display = serializers.CharField()


class TrackDeliverySerializer(serializers.Serializer):
    method = serializers.CharField()
    method_display = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    tracking_number = serializers.CharField()


class TrackResultSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    sentence = serializers.CharField()
    next_step = serializers.CharField()
    promised_date = serializers.DateField(allow_null=True)
    matter = serializers.CharField()
    hall = serializers.CharField()
    applicant = serializers.CharField()
    delivery = TrackDeliverySerializer(allow_null=True)
    events = TrackEventSerializer(many=True)


class TrackApi(APIView):
    """Case status by number and query password, no account (查询密码). Wrong password and unknown number
    get the same 404; repeated failures lock the number and the address (429)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=TrackRequestSerializer, responses={200: TrackResultSerializer})
    def post(self, request):
        data = TrackRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = case_lookup(
            number=data.validated_data["number"], password=data.validated_data["password"], ip=client_ip(request)
        )
        return Response(TrackResultSerializer(case_public_status(case)).data)


class DeliverySerializer(serializers.ModelSerializer):
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    recipient_phone = serializers.CharField(source="masked_phone", read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "method",
            "method_display",
            "status",
            "status_display",
            "recipient_name",
            "recipient_phone",
            "courier",
            "tracking_number",
            "ready_at",
            "posted_at",
            "delivered_at",
        ]


class DeliveryChoiceSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    recipient_name = serializers.CharField(required=False, allow_blank=True, max_length=64)
    recipient_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    address = serializers.CharField(required=False, allow_blank=True, max_length=400)


class DeliveryChoiceApi(APIView):
    """The citizen's choice of how to receive the result (GET shows it, PUT sets it). The address is
    never returned, the phone only masked."""

    permission_classes = [IsCitizen]

    @extend_schema(responses={200: DeliverySerializer})
    def get(self, request, number):
        case = case_get_for_citizen(citizen=request.user, number=number)
        delivery = delivery_for_case(case)
        if delivery is None:
            raise DomainError(_("尚未选择领取方式。"), code="not_found")
        return Response(DeliverySerializer(delivery).data)

    @extend_schema(request=DeliveryChoiceSerializer, responses={200: DeliverySerializer})
    def put(self, request, number):
        data = DeliveryChoiceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        delivery = delivery_choose(citizen=request.user, number=number, **data.validated_data)
        return Response(DeliverySerializer(delivery).data)


class WindowDeliveryChoiceApi(APIView):
    """At intake, the clerk records the applicant's choice (the clerk's own hall's cases only)."""

    permission_classes = [IsClerk]

    @extend_schema(request=DeliveryChoiceSerializer, responses={200: DeliverySerializer})
    def put(self, request, number):
        data = DeliveryChoiceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        delivery = delivery_choose_at_window(clerk=request.user, number=number, **data.validated_data)
        return Response(DeliverySerializer(delivery).data)


class PickupRequestSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=32)


class PickupResultSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    receipt_code = serializers.CharField()
    receipt_url = serializers.CharField()


class PickupApi(APIView):
    """Hand the result over at the window after checking the collector's ID number."""

    permission_classes = [IsClerk]

    @extend_schema(request=PickupRequestSerializer, responses={200: PickupResultSerializer})
    def post(self, request, number):
        data = PickupRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        delivery = delivery_pickup(clerk=request.user, number=number, id_number=data.validated_data["id_number"])
        assert delivery.receipt is not None  # a completed pickup always has its receipt
        code = delivery.receipt.verification_code
        return Response(
            PickupResultSerializer(
                {
                    "number": number,
                    "status": delivery.case.status,
                    "receipt_code": code,
                    "receipt_url": reverse("document", args=[code]),
                }
            ).data
        )


COURIER_TIMESTAMP = "HTTP_X_COURIER_TIMESTAMP"
COURIER_SIGNATURE = "HTTP_X_COURIER_SIGNATURE"


def courier_signature(*, key: str, timestamp: str, body: bytes) -> str:
    """hex HMAC-SHA256 over ``<timestamp>.<raw body>``, the way couriers' push APIs sign."""
    return hmac.new(key.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class CourierStatusSerializer(serializers.Serializer):
    tracking_number = serializers.CharField(max_length=40)
    status = serializers.ChoiceField(choices=["in_transit", "delivered"])
    at = serializers.DateTimeField(required=False)


class CourierCallbackApi(APIView):
    """The courier pushes a waybill's status, signed with the key agreed with it (COURIER_CALLBACK_KEYS)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    # No token: the signature over the body is the credential; a bad or stale one is 401 bad_signature /
    # request_expired.
    @extend_schema(request=CourierStatusSerializer, responses={200: DeliverySerializer, 401: ErrorSerializer})
    def post(self, request, courier):
        key = settings.COURIER_CALLBACK_KEYS.get(courier, "")
        timestamp = request.META.get(COURIER_TIMESTAMP, "")
        signature = request.META.get(COURIER_SIGNATURE, "")
        body = request.body
        valid_stamp = timestamp.isascii() and timestamp.isdigit()
        if (
            not key
            or not valid_stamp
            or not signing.equal(courier_signature(key=key, timestamp=timestamp, body=body), signature)
        ):
            raise DomainError(_("签名无效。"), code="bad_signature")
        if abs(time.time() - int(timestamp)) > exchange_conf.EXCHANGE_MAX_SKEW_SECONDS:
            raise DomainError(_("请求已过期。"), code="request_expired")
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):  # RecursionError: JSON nested too deep to read
            raise DomainError(_("请求体不是JSON。"), code="invalid") from None
        data = CourierStatusSerializer(data=payload)
        data.is_valid(raise_exception=True)
        delivery, _repeated = delivery_courier_push(
            courier=courier,
            signature=signature,
            tracking_number=data.validated_data["tracking_number"],
            status=data.validated_data["status"],
            at=data.validated_data.get("at"),
        )
        # A replayed push gets the same answer as the first: the delivery as it now stands.
        return Response(DeliverySerializer(delivery).data)
