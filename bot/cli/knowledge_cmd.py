"""`kpi-advisor knowledge ...`: build, inspect and search the guidance store."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer

from bot.cli.common import console, emit, get_settings, json_option, user_errors

__all__ = ["app"]

app = typer.Typer(
    help="Guidance knowledge base: build the Chroma store, search it, manage team playbooks.",
    no_args_is_help=True,
)

JsonOpt = json_option()


def _knowledge_base() -> Any:
    from bot.wiring import build_knowledge_base

    return build_knowledge_base(get_settings())


def _document_row(doc: Any) -> dict[str, Any]:
    return {
        "slug": doc.slug,
        "title": doc.title,
        "origin": doc.origin,
        "families": list(doc.families),
        "kpis": list(doc.kpis),
        "platforms": list(doc.platforms),
        "path": str(doc.path),
    }


@app.command()
def build(
    rebuild: bool = typer.Option(False, "--rebuild", help="Drop the store and re-embed everything."),
    as_json: bool = JsonOpt,
) -> None:
    """Embed the guidance (and team playbooks) into Chroma; only changed passages are re-embedded."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with user_errors():
        kb = _knowledge_base()
        if as_json:
            report = kb.build(rebuild=rebuild)
        else:
            with Progress(
                TextColumn("Embedding passages"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=console, transient=True,
            ) as bar:
                task = bar.add_task("embed", total=None)

                def progress(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=max(total, 1) if total else 1)

                report = kb.build(progress=progress, rebuild=rebuild)

    def render(r: Any) -> None:
        verb = "Rebuilt" if r.rebuilt else "Built"
        console.print(
            f"[bold green]{verb}[/] {r.documents} documents, {r.chunks} passages "
            f"([green]+{r.added}[/] new, [red]-{r.removed}[/] removed, {r.unchanged} unchanged) "
            f"in {r.seconds:.1f}s"
        )
        console.print(f"Embedder: {r.embedder}\nStore: {r.store}")

    emit(asdict(report), as_json, lambda _: render(report))


@app.command()
def status(
    stale_after: int = typer.Option(
        6, "--stale-after", min=0, metavar="MONTHS",
        help="List dated guidance (front matter `as_of`) checked longer ago than this many months.",
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Documents, passages, embedder, store location, and dated guidance due for review."""
    from datetime import date

    from knowledge.corpus import stale_documents

    with user_errors():
        kb = _knowledge_base()
        st = kb.status()
        stale = [
            {"slug": d.slug, "title": d.title, "as_of": d.as_of.isoformat() if d.as_of else None, "path": str(d.path)}
            for d in stale_documents(kb.list_documents(), date.today(), stale_after)
        ]

    def render(_: Any) -> None:
        if not st.built:
            console.print("[yellow]Not built yet.[/] Run `kpi-advisor knowledge build`.")
        console.print(f"Documents: {st.documents}\nPassages: {st.chunks}\nEmbedder: {st.embedder}")
        if st.store_embedder and st.store_embedder != st.embedder:
            console.print(
                f"[yellow]The store was built with {st.store_embedder}; "
                "`kpi-advisor knowledge build` will rebuild it.[/]"
            )
        console.print(f"Store: {st.store}")
        for d in st.team_dirs:
            console.print(f"Team playbook folder: {d}")
        if st.excluded:
            console.print(f"Removed documents: {', '.join(st.excluded)}")
        if stale:
            console.print(f"[yellow]Dated guidance older than {stale_after} months; re-check its facts:[/]")
            for d in stale:
                console.print(f"  {d['slug']} (as of {d['as_of']}): {d['title']}", markup=False, highlight=False)
        else:
            console.print(f"No dated guidance older than {stale_after} months.")

    emit({**asdict(st), "stale_after_months": stale_after, "stale": stale}, as_json, render)


@app.command()
def search(
    question: str = typer.Argument(..., help="What you want to know, in your own words."),
    k: int = typer.Option(5, "-k", "--top", help="How many passages to show."),
    family: list[str] = typer.Option([], "--family", help="Only guidance for this goal family (repeatable)."),
    kpi: list[str] = typer.Option([], "--kpi", help="Only guidance discussing this KPI id (repeatable)."),
    as_json: bool = JsonOpt,
) -> None:
    """Ranked guidance passages with their source document and heading."""
    with user_errors():
        passages = _knowledge_base().retrieve(question, k=k, families=family or None, kpis=kpi or None)

    def render(_: Any) -> None:
        if not passages:
            console.print("No passages matched; try fewer filters or other words.")
        for rank, p in enumerate(passages, 1):
            console.print(f"[bold]{rank}. {p.title}[/] [dim]>[/] {p.heading}  [dim]({p.source}, score {p.score:.3f})[/]")
            text = p.text if len(p.text) <= 600 else p.text[:600].rsplit(" ", 1)[0] + " ..."
            console.print(text, markup=False, highlight=False)
            console.print()

    emit([p.to_dict() for p in passages], as_json, render)


@app.command("list")
def list_documents(as_json: bool = JsonOpt) -> None:
    """Every guidance and team playbook document in the knowledge base."""
    from rich.table import Table

    with user_errors():
        rows = [_document_row(d) for d in _knowledge_base().list_documents()]

    def render(_: Any) -> None:
        table = Table("slug", "title", "origin", "families", "kpis")
        for r in rows:
            table.add_row(r["slug"], r["title"], r["origin"], ", ".join(r["families"]), ", ".join(r["kpis"]))
        console.print(table)
        console.print(f"{len(rows)} documents")

    emit(rows, as_json, render)


@app.command()
def add(
    directory: Path = typer.Argument(..., help="Folder of markdown documents (your team's playbook)."),
    as_json: bool = JsonOpt,
) -> None:
    """Add a team's playbook folder; its documents are ingested alongside the guidance."""
    with user_errors():
        docs = _knowledge_base().add_team_dir(directory)
    rows = [_document_row(d) for d in docs]

    def render(_: Any) -> None:
        console.print(f"[bold green]Added[/] {len(rows)} documents from {directory}:")
        for r in rows:
            console.print(f"  {r['slug']}: {r['title']}")

    emit(rows, as_json, render)


@app.command()
def remove(
    slug: str = typer.Argument(..., help="Slug of a team document (see `knowledge list`)."),
    as_json: bool = JsonOpt,
) -> None:
    """Remove a team document from the knowledge base (the file is not deleted)."""
    with user_errors():
        doc = _knowledge_base().remove_document(slug)
    row = _document_row(doc)
    emit(row, as_json, lambda r: console.print(f"[bold]Removed[/] {r['slug']} ({r['title']})"))
