"""``/review/``: the review desk for the automatic layer's drafts (``serve --review``).

``/review/{doc-id}`` shows a document of ``seeds/`` beside its draft (the claims file
``allianceskg draft`` writes): each proposed claim with its quote highlighted, to
accept or reject, its modality to change, its facts to keep or drop. Writing saves
``data/claims/{doc-id}.yaml`` — the curated layer the next build asserts — after
checking it loads as a curated file; it never writes anywhere else, never replaces an
existing curated file unless asked, and only answers same-origin form posts (the
desk listens on loopback only: settings._check_review).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import yaml
from flask import Blueprint, Response, current_app, redirect, request, url_for
from markupsafe import Markup

from allianceskg.build.claims import MODALITIES, Resolver, claim_file, find_quote, load_curated
from allianceskg.build.corpus import load_document
from allianceskg.errors import AllianceskgError
from allianceskg.model.load import load_ontology, load_reference, load_shapes
from allianceskg.build.pipeline import BuildError, ProjectPaths, draft
from allianceskg.reading.draft import HEADER, Flow, dump_yaml
from allianceskg.vocab import AKG
from allianceskg.web.errors import ServiceError

blueprint = Blueprint("review", __name__)
_DOC_ID = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")
_DRAFTS: dict[tuple[str, str], str] = {}  # (doc id, sha256) → draft text
_LOCK = threading.Lock()


def _paths() -> ProjectPaths:
    return ProjectPaths.default()


def _documents(paths: ProjectPaths) -> dict[str, Path]:
    return {p.stem: p for p in sorted(paths.seeds.glob("*")) if p.is_file()
            and not p.name.endswith(".meta.yaml") and _DOC_ID.match(p.stem)}


@blueprint.route("/review/")
def desk() -> Response:
    from allianceskg.web.ui.pages import render

    paths = _paths()
    rows = []
    for doc_id, path in _documents(paths).items():
        rows.append({"id": doc_id, "file": path.name,
                     "curated": (paths.claims / f"{doc_id}.yaml").is_file()})
    return render("review_list.html", documents=rows)


@blueprint.route("/review/<doc_id>", methods=["GET", "POST"])
def review(doc_id: str) -> Response:
    from allianceskg.web.ui.pages import highlight, render

    paths = _paths()
    document = _document(paths, doc_id)
    data = _draft(paths, document)
    target = claim_file(paths.claims, document)
    if request.method == "POST":
        _same_origin()
        return _write(paths, document, data, target)
    groups = data.get("claims") or []
    spans = []
    for index, group in enumerate(groups):
        start = find_quote(document, group["quote"], int(group.get("occurrence", 1)))
        if start >= 0:
            group["_start"], group["_end"] = start, start + len(group["quote"])
            spans.append(("claim", start, start + len(group["quote"]),
                          {"modality": MODALITIES.get(group.get("modality"), AKG.Speculation)}))
    text = Markup(highlight(document.text, spans, {}))
    return render("review.html", doc_id=doc_id, document=document, groups=groups, text=text,
                  target=target.relative_to(paths.root), exists=target.is_file(),
                  modalities=list(MODALITIES), proposed=data.get("proposed_entities") or [],
                  not_stated=data.get("not_stated") or [],
                  written=request.args.get("written"))


def _document(paths: ProjectPaths, doc_id: str):
    if not _DOC_ID.match(doc_id):
        raise ServiceError(400, f"not a document id: {doc_id[:60]!r}",
                           "document ids are file names of seeds/ without the extension")
    path = _documents(paths).get(doc_id)
    if path is None:
        raise ServiceError(404, f"seeds/ has no document {doc_id!r}",
                           "the review desk lists the documents at /review/")
    try:
        return load_document(path)
    except AllianceskgError as exc:
        raise ServiceError(422, exc.message, exc.hint) from None


def _draft(paths: ProjectPaths, document) -> dict:
    key = (document.doc_id, document.sha256)
    with _LOCK:
        text = _DRAFTS.get(key)
    if text is None:
        try:
            text, _ = draft(paths, document)
        except BuildError as exc:
            raise ServiceError(422, exc.message, exc.hint) from None
        with _LOCK:
            _DRAFTS[key] = text
    return yaml.safe_load(text)


def _same_origin() -> None:
    """Only this desk's own form may post (no cross-site request can write files)."""
    origin = request.headers.get("Origin")
    site = request.headers.get("Sec-Fetch-Site")
    expected = request.host_url.rstrip("/")
    if site not in (None, "same-origin") or (origin is not None and origin != expected):
        raise ServiceError(403, "the review desk only accepts its own form",
                           "open /review/ on this machine and submit from there")


def _write(paths: ProjectPaths, document, data: dict, target: Path) -> Response:
    form = request.form
    groups = data.get("claims") or []
    kept = []
    for index, group in enumerate(groups):
        if form.get(f"decision-{index}", "accept") != "accept":
            continue
        modality = form.get(f"modality-{index}", group.get("modality"))
        if modality not in MODALITIES:
            raise ServiceError(400, f"unknown modality {modality!r} for claim {index + 1}",
                               f"choose one of: {', '.join(MODALITIES)}")
        facts = [fact for j, fact in enumerate(group.get("facts") or [])
                 if form.get(f"fact-{index}-{j}", "keep") == "keep"]
        if not facts:
            continue
        kept.append({**{k: v for k, v in group.items() if not k.startswith("_")},
                     "modality": modality, "facts": facts})
    if not kept:
        raise ServiceError(400, "no claim is accepted, so there is nothing to write",
                           "accept at least one claim with at least one fact")
    if target.is_file() and form.get("replace") != "yes":
        raise ServiceError(409, f"{target.relative_to(paths.root)} exists already",
                           "tick “replace the existing file” to overwrite it")
    used = {str(term) for group in kept for fact in group["facts"] for term in fact}
    entities = [e for e in data.get("entities") or []
                if f"id:{e['id']}" in used or e.get("label") in used]
    for group in kept:
        group["facts"] = [Flow(fact) for fact in group["facts"]]
    body = {"document": document.doc_id, "entities": entities, "claims": kept}
    text = (HEADER.format(file=document.path.name, doc_id=document.doc_id)
            + "# Reviewed on the review desk (allianceskg serve --review).\n"
            + dump_yaml(body))
    claims_dir = paths.claims.resolve()
    target = (claims_dir / f"{document.doc_id}.yaml").resolve()
    if target.parent != claims_dir:  # belt and braces: the id pattern already forbids it
        raise ServiceError(400, "the claims file would be outside data/claims/")
    claims_dir.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.review")
    staged.write_text(text, encoding="utf-8")
    try:
        _check(paths, document, staged)
    except AllianceskgError as exc:
        staged.unlink(missing_ok=True)
        raise ServiceError(422, f"the reviewed claims do not load: {exc.message}",
                           exc.hint or "change the facts or modality and write again") from None
    staged.replace(target)
    current_app.logger.info("review desk wrote %s", target)
    return redirect(url_for("review.review", doc_id=document.doc_id, written="1"), code=303)


def _check(paths: ProjectPaths, document, path: Path) -> None:
    """The written file loads as a curated claims file (the build's own reader)."""
    ontology = load_ontology(paths.ontology)
    resolver = Resolver(load_reference(paths.reference), ontology, load_shapes(paths.shapes))
    load_curated(path, document, resolver)

