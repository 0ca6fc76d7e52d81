"""Mutual aid's program on the ledger: benefits are paid as 互助保障 kinds."""

from gonghui.ledger import programs

programs.register("mutual_aid", "互助保障")
