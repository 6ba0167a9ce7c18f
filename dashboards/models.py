"""The quarter's figures, counted once and read by every dashboard.

Counting coverage and the resolution rate live over a city's pairings takes
seconds; a dashboard must answer in a fraction of one, for the city, a
leader's towns, a unit or a cadre. So a job counts each quarter's figures
with the very functions the quarterly report uses
(:func:`visits.selectors.coverage_counts`, :func:`issues.rates.item_counts_by`,
:func:`issues.rates.slip_counts_by`) at the grain every view needs, and the
dashboards add cells up:

- :class:`FigureCell`: per unit, town and problem category (category empty
  for the pairing, slip and satisfaction counts);
- :class:`CadreCell`: per cadre, unit counted for and town, for the
  drill-down into a unit and the evaluation.

The counts are :class:`cadres.models.CountedFigures`, the same columns a
closed quarter's frozen cells keep (:class:`cadres.models.FrozenCell`).

A quarter's cells are replaced in one transaction (:mod:`dashboards.figures`),
so a reader sees the old set or the new one, never half.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cadres.models import COUNTS, Cadre, CountedFigures, Unit
from enterprises.models import Place

__all__ = ["COUNTS", "CadreCell", "FigureBuild", "FigureCell", "QuarterChange"]


class FigureCell(CountedFigures):
    quarter = models.CharField(_("季度"), max_length=6)
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    place = models.ForeignKey(
        Place, verbose_name=_("镇（街道）"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField(_("问题类别"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("季度统计单元")
        verbose_name_plural = _("季度统计单元")
        indexes = [
            models.Index(fields=["quarter", "unit"], name="cell_quarter_unit"),
            models.Index(fields=["quarter", "place"], name="cell_quarter_place"),
        ]

    def __str__(self):
        return f"{self.quarter} {self.unit_id}/{self.place_id}/{self.category}"


class CadreCell(CountedFigures):
    quarter = models.CharField(_("季度"), max_length=6)
    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    place = models.ForeignKey(
        Place, verbose_name=_("镇（街道）"), null=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("干部季度统计")
        verbose_name_plural = _("干部季度统计")
        indexes = [models.Index(fields=["quarter", "unit"], name="cadre_cell_quarter_unit")]

    def __str__(self):
        return f"{self.quarter} {self.cadre_id}/{self.place_id}"


class FigureBuild(models.Model):
    """One row per quarter: when its cells were last counted. Builders lock
    it, so two workers never count the same quarter at once.
    ``counted_changes`` is the quarter's :class:`QuarterChange` count when the
    last count began: the cells are stale when changes were marked since."""

    quarter = models.CharField(_("季度"), max_length=6, unique=True)
    built_at = models.DateTimeField(_("统计时间"), null=True)
    seconds = models.FloatField(_("用时（秒）"), null=True)
    counted_changes = models.PositiveBigIntegerField(_("统计时的变动序号"), default=0)

    class Meta:
        verbose_name = _("季度统计")
        verbose_name_plural = _("季度统计")
        ordering = ["-quarter"]

    def __str__(self):
        return self.quarter


class QuarterChange(models.Model):
    """How many changes were marked for a quarter (a write that may move its
    figures). Kept apart from :class:`FigureBuild`, which a count keeps
    locked for seconds: marking a change never waits for a count."""

    quarter = models.CharField(_("季度"), max_length=6, unique=True)
    changes = models.PositiveBigIntegerField(_("变动序号"), default=0)
    changed_at = models.DateTimeField(_("最近变动时间"), null=True)

    class Meta:
        verbose_name = _("季度变动")
        verbose_name_plural = _("季度变动")

    def __str__(self):
        return f"{self.quarter}:{self.changes}"
