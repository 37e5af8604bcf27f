from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.shared.accounts.conf import accounts_conf
from apps.shared.privacy.models import Channel
from govservice.lib import masking
from govservice.schema import CheckedCharField, ConsentField, IdNumberField
from govservice.throttling import RegisterThrottle, client_ip

from .models import ChallengePurpose, PhoneChallenge
from .otp import challenge_resend
from .services import PHONE_RE, citizen_register, citizen_register_confirm, password_reset_confirm, password_reset_start


class RegisterSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]{3,150}$")
    password = serializers.CharField(min_length=8, max_length=128, write_only=True)
    real_name = CheckedCharField(pattern=r"^\s*\S[\s\S]{0,28}\S\s*$", max_length=30)  # 2 to 30 characters, trimmed
    id_number = IdNumberField()
    phone = CheckedCharField(pattern=PHONE_RE.pattern, max_length=20, write_only=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    consent = ConsentField(
        help_text="The person agreed that their name and ID number be checked against the population registry "
        "(GET /api/v1/me/consents/ shows the text); must be true."
    )


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField()
    real_name = serializers.CharField()
    masked_id = serializers.CharField()
    masked_phone = serializers.CharField()


class CodeSentSerializer(serializers.Serializer):
    """A code is on its way (or, for a reset of no account, the same answer with nothing sent)."""

    registration = serializers.UUIDField(required=False)
    challenge = serializers.UUIDField(required=False)
    masked_phone = serializers.CharField()
    expires_in = serializers.IntegerField()
    resend_in = serializers.IntegerField()
    detail = serializers.CharField()


class RegisterConfirmSerializer(serializers.Serializer):
    registration = serializers.UUIDField()
    code = serializers.RegexField(r"^\s*\d{6}\s*$")


class RegisterResendSerializer(serializers.Serializer):
    registration = serializers.UUIDField()


class PasswordResetSerializer(serializers.Serializer):
    id_number = IdNumberField()
    phone = CheckedCharField(pattern=PHONE_RE.pattern, max_length=20, write_only=True)


class PasswordResetConfirmSerializer(serializers.Serializer):
    challenge = serializers.UUIDField()
    code = serializers.RegexField(r"^\s*\d{6}\s*$")
    new_password = serializers.CharField(min_length=8, max_length=128, write_only=True)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


def code_sent(challenge: PhoneChallenge, *, phone: str, handle: str) -> dict:
    # The phone the person typed, masked: the reset's answer must not depend on an account existing.
    return {
        handle: str(challenge.id),
        "masked_phone": masking.mask_phone(phone.strip()),
        "expires_in": accounts_conf.OTP_TTL_SECONDS,
        "resend_in": accounts_conf.OTP_RESEND_SECONDS,
        "detail": _("如信息无误，验证码已发送至您的手机。"),
    }


class RegisterApi(APIView):
    """Step 1 of 2: an inactive account and an SMS code (202); the same answer whether the ID number is
    registered or not."""

    permission_classes = [AllowAny]
    throttle_classes = [RegisterThrottle]

    @extend_schema(request=RegisterSerializer, responses={202: CodeSentSerializer})
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        challenge = citizen_register(**serializer.validated_data, address=client_ip(request), channel=Channel.API)
        data = code_sent(challenge, phone=serializer.validated_data["phone"], handle="registration")
        return Response(data, status=status.HTTP_202_ACCEPTED)


class RegisterConfirmApi(APIView):
    """Step 2 of 2: the code, then the registry check; 201 with the verified account."""

    permission_classes = [AllowAny]

    @extend_schema(request=RegisterConfirmSerializer, responses={201: MeSerializer})
    def post(self, request):
        serializer = RegisterConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = citizen_register_confirm(
            registration=str(serializer.validated_data["registration"]), code=serializer.validated_data["code"]
        )
        return Response(MeSerializer(user).data, status=status.HTTP_201_CREATED)


class RegisterResendApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [RegisterThrottle]

    @extend_schema(request=RegisterResendSerializer, responses={202: CodeSentSerializer})
    def post(self, request):
        serializer = RegisterResendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        challenge = challenge_resend(
            challenge_id=str(serializer.validated_data["registration"]),
            purpose=ChallengePurpose.REGISTER,
            requester_address=client_ip(request),
        )
        phone = challenge.user.phone if challenge.user and challenge.user.phone else ""
        return Response(code_sent(challenge, phone=phone, handle="registration"), status=status.HTTP_202_ACCEPTED)


class PasswordResetApi(APIView):
    """A reset code to the verified account of an ID number and phone; 202 whether one exists or not."""

    permission_classes = [AllowAny]
    throttle_classes = [RegisterThrottle]

    @extend_schema(request=PasswordResetSerializer, responses={202: CodeSentSerializer})
    def post(self, request):
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        challenge = password_reset_start(**serializer.validated_data, address=client_ip(request))
        data = code_sent(challenge, phone=serializer.validated_data["phone"], handle="challenge")
        return Response(data, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=PasswordResetConfirmSerializer, responses={200: DetailSerializer})
    def post(self, request):
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset_confirm(
            challenge_id=str(serializer.validated_data["challenge"]),
            code=serializer.validated_data["code"],
            new_password=serializer.validated_data["new_password"],
        )
        return Response({"detail": _("密码已重置，请用新密码登录。")})


class MeApi(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
