"""Writes of sampling/publicity, one module per aggregate: ``votes`` (你点我检 topics, votes, adoption into a plan
line), ``quicktests`` (快检 results) and ``publications`` (the publication clock, publishing by staff, in bulk and
by the beat task, and the credit-file export). Import from the defining module; nothing is re-exported here."""
