"""Tables in and out: spreadsheet cells, safe export formats, the all-or-nothing
import and long-list paging. The ground floor; it knows no domain model."""
