"""The record of processing activities (UU 27/2022 Pasal 31) and the data-protection impact
assessment (Pasal 34), as declarations the service joins with what Jejak stores (ADR 0060).

What is written here is what no code can know: why the programme processes each field, on
which legal basis, who receives it and what could go wrong. Which fields are sealed in which
events, under which key, who sees them, which documents and tables hold them and how long
they are kept is read from the code and the store by `service/queries/processing.py`, and a
test fails when a sealed field appears that is not described here, so the record cannot drift
from the system.

The texts are in Indonesian: the record and the assessment are documents of the Dinas, read
by its data-protection officer and by the supervisory agency.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from domain.access import DataCategory


class Pasal4(StrEnum):
    """The class UU PDP Pasal 4 puts a kind of data in."""

    # Pasal 4(3): name, sex, nationality, religion, marital status, combined identifying data.
    GENERAL = "umum"
    # Pasal 4(2): health, biometric, genetic, criminal record, children's, personal financial.
    SPECIFIC = "spesifik"


class LegalBasis(StrEnum):
    """The bases of Pasal 20(2) the programme relies on (domain research §8.1): never consent."""

    LEGAL_OBLIGATION = "c"
    PUBLIC_TASK = "e"

    @property
    def text(self) -> str:
        """The basis as the law words it."""
        return _BASIS_TEXT[self]


_BASIS_TEXT: Mapping[LegalBasis, str] = MappingProxyType(
    {
        LegalBasis.LEGAL_OBLIGATION: "Pasal 20 ayat (2) huruf c: pemenuhan kewajiban hukum",
        LegalBasis.PUBLIC_TASK: "Pasal 20 ayat (2) huruf e: pelaksanaan tugas dalam rangka "
        "kepentingan umum, pelayanan publik, atau pelaksanaan kewenangan",
    }
)


@dataclass(frozen=True)
class FieldDescription:
    """One sealed field, by the name it is sealed under: what it is and why it is needed."""

    label: str
    pasal4: Pasal4
    need: str


# Every field `domain/access.py` SEALED_FIELD_CATEGORY names; a test keeps the two equal.
FIELDS: Mapping[str, FieldDescription] = MappingProxyType(
    {
        "name": FieldDescription(
            "Nama penerima manfaat",
            Pasal4.GENERAL,
            "mencocokkan dengan SK penerima bantuan, daftar bayar dan kuitansi",
        ),
        "nik": FieldDescription(
            "NIK",
            Pasal4.GENERAL,
            "memastikan satu orang hanya sekali menerima bantuan (indeks duplikat berkunci)",
        ),
        "kk": FieldDescription(
            "Nomor Kartu Keluarga", Pasal4.GENERAL, "verifikasi identitas dan daerah asal"
        ),
        "birth_date": FieldDescription(
            "Tanggal lahir",
            Pasal4.GENERAL,
            "memastikan penerima dewasa; anak dirujuk ke layanan perlindungan anak (data "
            "anak adalah data spesifik)",
        ),
        "sex": FieldDescription(
            "Jenis kelamin", Pasal4.GENERAL, "pemeriksaan konsistensi NIK (tanggal lahir +40)"
        ),
        "payee_name": FieldDescription(
            "Nama ahli waris penerima santunan",
            Pasal4.GENERAL,
            "pembayaran kepada ahli waris yang ditetapkan dalam SK",
        ),
        "phone": FieldDescription(
            "Nomor telepon", Pasal4.GENERAL, "menghubungi penerima selama pendampingan"
        ),
        "assessment_notes": FieldDescription(
            "Catatan asesmen pekerja sosial",
            Pasal4.SPECIFIC,
            "rencana rehabilitasi; dapat memuat keterangan kesehatan (data spesifik)",
        ),
        "bank_account": FieldDescription(
            "Nomor rekening bank",
            Pasal4.SPECIFIC,
            "penyaluran bantuan nontunai melalui bank penyalur (data keuangan pribadi)",
        ),
        "bank_account_holder": FieldDescription(
            "Nama pemilik rekening",
            Pasal4.GENERAL,
            "memastikan rekening atas nama penerima sebelum transfer",
        ),
    }
)


@dataclass(frozen=True)
class SealedAttribute:
    """Where an event carries a sealed field: the aggregate, the event, the attribute path
    (`lines[].payee_name` for a field of each line) and the name it is sealed under."""

    aggregate: str
    event: str
    attribute: str
    sealed_as: str


# Every sealed attribute of every event; a test walks the event classes and keeps this equal.
SEALED_ATTRIBUTES: tuple[SealedAttribute, ...] = (
    SealedAttribute("Beneficiary", "BeneficiaryRegistered", "name", "name"),
    SealedAttribute("Beneficiary", "BeneficiaryRegistered", "phone", "phone"),
    SealedAttribute("Beneficiary", "IdentityVerified", "nik", "nik"),
    SealedAttribute("Beneficiary", "IdentityVerified", "kk", "kk"),
    SealedAttribute("Beneficiary", "IdentityVerified", "birth_date", "birth_date"),
    SealedAttribute("Beneficiary", "IdentityVerified", "sex", "sex"),
    SealedAttribute("Beneficiary", "ReferredToChildProtection", "birth_date", "birth_date"),
    SealedAttribute("Beneficiary", "Assessed", "notes", "assessment_notes"),
    SealedAttribute("Beneficiary", "BankAccountRecorded", "account", "bank_account"),
    SealedAttribute("Beneficiary", "BankAccountRecorded", "holder_name", "bank_account_holder"),
    SealedAttribute("Beneficiary", "BeneficiaryDetailsCorrected", "previous.name", "name"),
    SealedAttribute("Beneficiary", "BeneficiaryDetailsCorrected", "previous.phone", "phone"),
    SealedAttribute("Beneficiary", "BeneficiaryDetailsCorrected", "corrected.name", "name"),
    SealedAttribute("Beneficiary", "BeneficiaryDetailsCorrected", "corrected.phone", "phone"),
    SealedAttribute("Decree", "DecreeIssued", "lines[].payee_name", "payee_name"),
    SealedAttribute("Decree", "DecreeAmended", "added[].payee_name", "payee_name"),
    SealedAttribute("Decree", "DecreeAmended", "changed[].payee_name", "payee_name"),
)


# The class of each category as a whole: a category holding any specific field is specific.
CATEGORY_LABEL: Mapping[DataCategory, str] = MappingProxyType(
    {
        DataCategory.IDENTITY: "Identitas",
        DataCategory.CASE_FILE: "Berkas kasus",
        DataCategory.FINANCIAL: "Keuangan",
    }
)


class Recipient(StrEnum):
    """Who receives personal data from the programme, outside its own staff."""

    BANK = "bank"
    AUDITORS = "auditors"
    KEMENSOS = "kemensos"
    DUKCAPIL = "dukcapil"


@dataclass(frozen=True)
class RecipientDescription:
    """What a recipient receives, how, and on which basis."""

    name: str
    receives: str
    channel: str
    basis: str
    categories: frozenset[DataCategory]


RECIPIENTS: Mapping[Recipient, RecipientDescription] = MappingProxyType(
    {
        Recipient.BANK: RecipientDescription(
            "Bank penyalur (bank pemerintah daerah)",
            "Nama, nomor rekening dan jumlah setiap transfer; kode program netral, tanpa "
            "label yang menstigma",
            "Berkas transfer yang diunduh penyelia dan diserahkan ke bank; bank mengembalikan "
            "berkas hasil transfer",
            "Pelaksanaan pembayaran nontunai (tugas pelayanan publik)",
            frozenset({DataCategory.IDENTITY, DataCategory.FINANCIAL}),
        ),
        Recipient.AUDITORS: RecipientDescription(
            "BPK dan Inspektorat (pemeriksa)",
            "Seluruh catatan program; data pribadi tersamar kecuali dibuka dengan alasan "
            "yang dicatat per kasus",
            "Akun pemeriksa di Jejak dan paket bukti (evidence bundle)",
            "UU 15/2004 Pasal 10: hak akses pemeriksa",
            frozenset(DataCategory),
        ),
        Recipient.KEMENSOS: RecipientDescription(
            "Kementerian Sosial",
            "Laporan terbit berisi angka agregat; tanpa nama, NIK atau rekening",
            "Laporan terbit (PDF/XLSX) dengan hash yang tercatat",
            "Pelaporan program bantuan sosial (kewajiban hukum)",
            frozenset(),
        ),
        Recipient.DUKCAPIL: RecipientDescription(
            "Dukcapil (pencocokan NIK)",
            "Belum ada: pencocokan dengan Dukcapil belum dilakukan oleh Jejak "
            "(hasil pemeriksaan tercatat 'not_checked')",
            "Tidak ada pengiriman",
            "Verifikasi identitas bila kerja sama dengan Dukcapil diadakan",
            frozenset(),
        ),
    }
)


@dataclass(frozen=True)
class Activity:
    """One processing activity: its purpose, basis, whom it is about, which sealed fields it
    uses and who receives them. Categories, events, keys, roles and retention are read from
    the code when the record is generated."""

    key: str
    name: str
    purpose: str
    bases: tuple[LegalBasis, ...]
    statutes: str
    subjects: str
    fields: tuple[str, ...]
    other_data: str
    recipients: tuple[Recipient, ...]


ACTIVITIES: tuple[Activity, ...] = (
    Activity(
        "registration",
        "Pendataan dan verifikasi identitas penerima manfaat",
        "Menetapkan siapa penerima manfaat program rehabilitasi sosial dan pemulangan, "
        "memastikan setiap orang terdata sekali dan dewasa.",
        (LegalBasis.LEGAL_OBLIGATION, LegalBasis.PUBLIC_TASK),
        "UU 11/2009 Kesejahteraan Sosial; Permensos rehabilitasi sosial; SK penutupan lokasi",
        "Penerima manfaat (perempuan dewasa di lokasi yang ditutup); anak yang ditemukan dirujuk",
        ("name", "nik", "kk", "birth_date", "sex", "phone"),
        "Nomor kasus, lokasi, tanggal setiap langkah, hasil pemeriksaan identitas (ya/tidak)",
        (Recipient.AUDITORS, Recipient.DUKCAPIL),
    ),
    Activity(
        "rehabilitation",
        "Asesmen, pelatihan, pemulangan dan terminasi kasus",
        "Merencanakan dan mencatat rehabilitasi sosial setiap penerima manfaat sampai "
        "kasusnya selesai.",
        (LegalBasis.PUBLIC_TASK,),
        "UU 11/2009 Kesejahteraan Sosial Pasal 7 (rehabilitasi sosial)",
        "Penerima manfaat",
        ("assessment_notes", "phone", "birth_date"),
        "Daerah asal, tempat pelatihan, kelurahan yang mengonfirmasi kepulangan, alasan keluar",
        (Recipient.AUDITORS,),
    ),
    Activity(
        "payment",
        "Penyaluran bantuan (SK, daftar bayar, transfer bank, kuitansi)",
        "Membayar bantuan yang ditetapkan dalam SK kepada rekening penerima atau ahli "
        "warisnya dan membuktikan setiap pembayaran.",
        (LegalBasis.LEGAL_OBLIGATION, LegalBasis.PUBLIC_TASK),
        "UU 17/2003 Keuangan Negara; UU 1/2004 Perbendaharaan Negara; SK penerima bantuan",
        "Penerima manfaat; ahli waris penerima santunan",
        ("name", "bank_account", "bank_account_holder", "payee_name"),
        "Jumlah, komponen, nomor SK, referensi bank, tanggal",
        (Recipient.BANK, Recipient.AUDITORS, Recipient.KEMENSOS),
    ),
    Activity(
        "accountability",
        "Pemeriksaan, register temuan dan laporan terbit",
        "Mempertanggungjawabkan program kepada BPK, Inspektorat dan Kementerian Sosial.",
        (LegalBasis.LEGAL_OBLIGATION,),
        "UU 15/2004 Pasal 10 dan 20 (pemeriksaan dan tindak lanjut)",
        "Penerima manfaat (melalui paket bukti); petugas yang mencatat",
        ("name", "nik", "kk", "birth_date", "phone", "bank_account", "bank_account_holder"),
        "Temuan pemeriksaan otomatis dan eksternal, laporan terbit dengan hash",
        (Recipient.AUDITORS, Recipient.KEMENSOS),
    ),
    Activity(
        "staff",
        "Akun petugas dan log akses",
        "Mengetahui siapa melakukan apa dan siapa membaca data siapa (pengamanan Pasal 35, "
        "rekam jejak pemrosesan Pasal 31).",
        (LegalBasis.LEGAL_OBLIGATION,),
        "UU 27/2022 Pasal 31, 35 dan 39",
        "Petugas program, penyelia, pemeriksa, administrator, Pejabat Pelindungan Data Pribadi",
        (),
        "Nama pengguna, nama tampilan, peran, unit; log akses (akun, id subjek, alasan); "
        "percobaan masuk yang gagal disimpan sebagai hash berkunci",
        (Recipient.AUDITORS,),
    ),
)


class Likelihood(StrEnum):
    """How likely a risk is, before the measures."""

    LOW = "rendah"
    MEDIUM = "sedang"
    HIGH = "tinggi"


@dataclass(frozen=True)
class Risk:
    """A risk to the people whose data is processed, and what Jejak does about it."""

    risk: str
    likelihood: Likelihood
    impact: Likelihood
    measures: str
    residual: Likelihood


RISKS: tuple[Risk, ...] = (
    Risk(
        "Penerima manfaat dikenali sebagai perempuan dari lokasi yang ditutup dan mengalami stigma",
        Likelihood.MEDIUM,
        Likelihood.HIGH,
        "Data pribadi disegel per orang; tampilan tersamar menurut peran; kode program "
        "netral pada berkas bank; daftar penerima tidak pernah diterbitkan (UU 14/2008 "
        "Pasal 17 huruf h)",
        Likelihood.LOW,
    ),
    Risk(
        "Identifikasi ulang dari lokasi, kelurahan asal dan tanggal yang tersimpan tanpa segel",
        Likelihood.MEDIUM,
        Likelihood.HIGH,
        "Hanya peran yang mengerjakan kasus yang membaca catatan lengkap; setiap baca data "
        "pribadi tercatat di log akses berantai",
        Likelihood.MEDIUM,
    ),
    Risk(
        "Pegawai membaca data tanpa keperluan",
        Likelihood.MEDIUM,
        Likelihood.MEDIUM,
        "Log akses dengan rantai hash dan titik periksa bertanda tangan; pemeriksa membuka "
        "data hanya dengan alasan yang dicatat; Pejabat PDP meninjau log",
        Likelihood.LOW,
    ),
    Risk(
        "Data orang yang sudah dihapus kembali setelah pemulihan cadangan",
        Likelihood.MEDIUM,
        Likelihood.HIGH,
        "Jurnal penghapusan di luar basis data dan cadangan; pemulihan menerapkan ulang "
        "setiap penghapusan; retensi cadangan lebih pendek dari batas waktu penghapusan",
        Likelihood.LOW,
    ),
    Risk(
        "Kunci induk bocor bersama salinan basis data",
        Likelihood.LOW,
        Likelihood.HIGH,
        "Kunci induk tidak pernah masuk cadangan; cadangan di folder kunci ditolak",
        Likelihood.LOW,
    ),
    Risk(
        "Data pribadi diketik pada kolom alasan atau nomor dokumen",
        Likelihood.MEDIUM,
        Likelihood.MEDIUM,
        "Teks bebas ditolak bila memuat deretan angka seperti NIK atau rekening",
        Likelihood.MEDIUM,
    ),
    Risk(
        "Pembayaran ganda kepada orang yang sama dengan kasus lain",
        Likelihood.MEDIUM,
        Likelihood.MEDIUM,
        "Indeks duplikat NIK berkunci (HMAC) yang tetap ada selama data identitas dibatasi",
        Likelihood.LOW,
    ),
)


@dataclass(frozen=True)
class Trigger:
    """A reason of Pasal 34 why an impact assessment is required."""

    key: str
    text: str


TRIGGERS: tuple[Trigger, ...] = (
    Trigger(
        "specific_data",
        "Pemrosesan data pribadi yang bersifat spesifik (Pasal 34 ayat (2) huruf b)",
    ),
    Trigger(
        "vulnerable",
        "Pemrosesan data kelompok rentan: perempuan dari lokasi yang ditutup, dan anak yang "
        "dirujuk",
    ),
    Trigger(
        "matching",
        "Pencocokan atau penggabungan kelompok data (Pasal 34 ayat (2) huruf e): indeks duplikat "
        "NIK di dalam program; pencocokan Dukcapil dan DTKS bila diadakan",
    ),
    Trigger(
        "large_scale",
        "Pemrosesan data pribadi dalam skala besar untuk pelayanan publik "
        "(Pasal 34 ayat (2) huruf c)",
    ),
    Trigger(
        "limits_rights",
        "Pemrosesan yang membatasi hak subjek: identitas minimum disimpan sebagai bukti "
        "pembayaran meskipun penghapusan diminta (Pasal 34 ayat (2) huruf g)",
    ),
)

SECURITY_MEASURES: tuple[str, ...] = (
    "Dua kunci data per orang (identitas dan berkas kasus), AES-GCM, dibungkus kunci induk "
    "(ADR 0005)",
    "Penghapusan dengan memusnahkan kunci (crypto-shredding); kunci tidak pernah dibuat ulang",
    "Tampilan tersamar menurut peran; membuka satu kolom hanya dengan alasan tercatat "
    "(ADR 0030, 0046)",
    "Log akses dengan rantai hash dan titik periksa bertanda tangan (ADR 0042, 0047)",
    "Log peristiwa berantai hash yang dapat diverifikasi (`jejak verify`)",
    "Indeks duplikat dan indeks nama berkunci HMAC, tidak pernah di dalam log",
    "Cadangan tanpa kunci induk; jurnal penghapusan diterapkan ulang saat pemulihan (ADR 0059)",
    "Pembatasan percobaan masuk, sesi berbatas waktu, CSRF dan Content-Security-Policy",
)
