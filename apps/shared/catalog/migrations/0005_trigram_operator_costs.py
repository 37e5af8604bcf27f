"""Tell the planner what pg_trgm's word similarity costs.

pg_trgm declares its functions with COST 1, the price of an integer comparison. On Chinese text one call
takes ~15 µs, several hundred times that, so with the default the planner prefers filtering every current
matter (30 ms for 2,000) over the trigram index (under 1 ms). COST 1000 says what a call costs; with it
the planner takes the index from a few hundred matters up. Changing an extension's function
needs its owner (a superuser on most installations): without that right the step is skipped with a
notice, and search still works, only slower. Not kept by pg_dump: run this migration again after a restore
(``migrate catalog 0004`` then ``migrate catalog``).
"""

from django.db import migrations

FUNCTIONS = ("word_similarity(text, text)", "word_similarity_op(text, text)", "word_similarity_commutator_op(text, text)")


def _alter(cost: int) -> str:
    statements = " ".join(f"ALTER FUNCTION {f} COST {cost};" for f in FUNCTIONS)
    return f"""
DO $$
BEGIN
    {statements}
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'pg_trgm function costs left as they are (not the owner): catalog search may not use its index';
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_catalog_management_and_search"),
    ]

    operations = [migrations.RunSQL(_alter(1000), _alter(1))]
