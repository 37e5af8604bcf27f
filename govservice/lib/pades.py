"""PAdES signatures on PDF documents (pyHanko): an office's key and self-signed certificate, a PDF signed with
them, and the check that a PDF's signature is intact and made with a given certificate. Any PDF reader checks
the same signature offline; trusting the office's certificate is the reader's choice (it is published on the
verification page)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class OfficeKeyPair:
    key_pem: str
    certificate_pem: str


def office_key_generate(*, name: str, years: int = 10, now: dt.datetime | None = None) -> OfficeKeyPair:
    """A fresh RSA key and a self-signed certificate naming the office (its seal, 电子印章)."""
    now = now or dt.datetime.now(dt.UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"), x509.NameAttribute(NameOID.COMMON_NAME, name[:64])]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return OfficeKeyPair(
        key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode(),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
    )


def pdf_sign(pdf: bytes, *, keys: OfficeKeyPair, office: str) -> bytes:
    """The PDF with a PAdES signature (an approval signature in a new revision) by the office's key."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    _, _, key_der = pem.unarmor(keys.key_pem.encode())
    _, _, cert_der = pem.unarmor(keys.certificate_pem.encode())
    certificate = asn1_x509.Certificate.load(cert_der)
    signer = signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([certificate]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name="OfficeSeal", reason=f"{office}出具", subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    out = io.BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), meta, signer=signer, output=out)
    return out.getvalue()


@dataclass(frozen=True)
class SignatureCheck:
    signed: bool  # the PDF carries a signature at all
    intact: bool  # the signed bytes are unchanged and the signature verifies
    covers_whole_file: bool  # nothing was added after signing
    by_office: bool  # made with the given certificate

    @property
    def valid(self) -> bool:
        return self.signed and self.intact and self.covers_whole_file and self.by_office


def pdf_signature_check(pdf: bytes, *, certificate_pem: str | None) -> SignatureCheck:
    """pyHanko's validator on the PDF's last signature, trusting the office's certificate only. Without the
    certificate (the office could not be asked), only the integrity is checked: ``by_office`` stays False.
    A PDF that cannot be read is reported unsigned, never raised."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    unsigned = SignatureCheck(signed=False, intact=False, covers_whole_file=False, by_office=False)
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:
        return unsigned
    if not signatures:
        return unsigned
    embedded = signatures[-1]
    if certificate_pem:
        certificate = asn1_x509.Certificate.load(pem.unarmor(certificate_pem.encode())[2])
    elif embedded.signer_cert is not None:
        certificate = embedded.signer_cert
    else:
        return SignatureCheck(signed=True, intact=False, covers_whole_file=False, by_office=False)
    try:
        status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[certificate], allow_fetching=False))
    except Exception:
        return SignatureCheck(signed=True, intact=False, covers_whole_file=False, by_office=False)
    signer = embedded.signer_cert
    return SignatureCheck(
        signed=True,
        intact=bool(status.intact and status.valid),
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        by_office=bool(certificate_pem)
        and signer is not None
        and signer.dump() == certificate.dump()
        and bool(status.trusted),
    )
