"""Serving a frozen round's bundle: the archive, each of its files, and `chain.json` once known.

Read-only, from the database only. `bundle.tar.gz` is the archive frozen with the round (its
sha256 is in the `bundle:stored` audit event and in the `X-Archive-SHA256` header); `chain.json`
is not part of it (docs/verify.md, "What the bundle holds").
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from swap.bundles.chain import chain_facts
from swap.bundles.models import RoundBundle
from swap.bundles.services import archive_chunks, file_bytes
from swap.core import bundle_format as fmt
from swap.distributions.models import RoundStatus

_TYPES = {".json": "application/json", ".csv": "text/csv", ".jsonl": "application/jsonl"}


def _bundle(number: int) -> RoundBundle:
    bundle = RoundBundle.objects.select_related("round", "round__propose_tx", "round__activate_tx").filter(
        round__number=number
    ).exclude(round__status=RoundStatus.VETOED).first()
    if bundle is None:
        raise Http404(f"no bundle for round {number}")
    return bundle


@require_GET
def bundle_archive(request: HttpRequest, number: int) -> StreamingHttpResponse:
    bundle = _bundle(number)
    response = StreamingHttpResponse(archive_chunks(bundle), content_type="application/gzip")
    response["Content-Disposition"] = f'attachment; filename="round-{number}.bundle.tar.gz"'
    response["Content-Length"] = str(bundle.archive_bytes)
    response["X-Archive-SHA256"] = bundle.archive_sha256
    return response


@require_GET
def bundle_file(request: HttpRequest, number: int, path: str) -> HttpResponse:
    data = file_bytes(_bundle(number), path)
    if data is None:
        raise Http404(f"round {number}'s bundle has no file {path}")
    suffix = path[path.rfind("."):] if "." in path else ""
    response = HttpResponse(data, content_type=_TYPES.get(suffix, "application/octet-stream"))
    response["Content-Disposition"] = f'attachment; filename="{path.rsplit("/", 1)[-1]}"'
    response["X-Content-SHA256"] = fmt.sha256_hex(data)
    return response


@require_GET
def chain_json(request: HttpRequest, number: int) -> HttpResponse:
    """The round's on-chain facts; 404 until its root's transactions are final."""
    facts = chain_facts(_bundle(number).round)
    if facts is None:
        return JsonResponse({"errors": {"round": [{"code": "not_on_chain", "message":
                            f"round {number}'s root has no final transaction yet"}]}}, status=404)
    return HttpResponse(fmt.json_bytes(facts), content_type="application/json")
