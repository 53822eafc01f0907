"""Results: interview records, exports, AAPOR outcome rates, reports, and the queries the
partner API will serve.

Reads what the dialer wrote (interviews, answers, attempts, the trace) and never writes dialing
state: every read runs in one read-only snapshot (:func:`results.records.snapshot`).

- :mod:`results.records`: interview records streamed in batches, answers as last given or
  corrected, the trace digest that vouches for each;
- :mod:`results.feed`: the cursor query of the partner API (settled interviews in the order
  the trace settled them, none missed or repeated);
- :mod:`results.codebook` and :mod:`results.exporters`: one exporter per format (CSV, JSON
  Lines, XLSX, SPSS ``.sav``, Triple-S), registered by name;
- :mod:`results.rates`: the AAPOR formulas; :mod:`results.cases` counts the cases they take;
- :mod:`results.report`: the HTML report with its charts.
"""
