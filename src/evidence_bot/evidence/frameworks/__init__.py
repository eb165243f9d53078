"""Inspection frameworks (CQC, Ofsted, a council's own): data, passage mapping, gaps."""
