"""Workbooks built at test time (no binary blobs in git): valid registry rows and the bad-workbook corpus."""
