"""The TALAP China-in-Kazakhstan report: data access, figures, tables and headline facts."""
