//! Delivery schedules of purchase order items (`A_PurchaseOrderScheduleLine`).
//!
//! Every item has at least one schedule line; the lines of an item always add up to its
//! `OrderQuantity`, as in SAP, where the item quantity is the sum of its schedule. Generated
//! orders draw their schedule from a stream of their own (keyed from the items' stream), so
//! adding schedules changed none of the header and item values drawn before them.

use rand::RngExt as _;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use sha2::{Digest as _, Sha256};

use super::{MS_PER_DAY, record_rng};
use crate::sap::odata::engine::Row;
use crate::sap::odata::value::{TICKS_PER_MS, Ticks, Value};
use crate::sap::purchase_order::schema::*;

/// The stream key of schedules, derived from the items' key so the generator needs no new seed.
fn schedule_key(items_key: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"millwright/sap/schedule-lines/");
    hasher.update(items_key);
    hasher.finalize().into()
}

/// The schedule of base order `index`.
pub(super) fn draw_for_order(
    items_key: &[u8; 32],
    index: u64,
    header: &[Value],
    items: &[Row],
) -> Vec<Row> {
    let mut rng = record_rng(&schedule_key(items_key), index);
    draw(&mut rng, header, items)
}

fn days(count: i64) -> i64 {
    count * MS_PER_DAY * TICKS_PER_MS
}

/// One to two lines per item: most items are delivered at once, some in two drops.
pub(crate) fn draw(rng: &mut ChaCha8Rng, header: &[Value], items: &[Row]) -> Vec<Row> {
    let order_date = header
        .get(H_ORDER_DATE)
        .and_then(Value::as_ticks)
        .unwrap_or(Ticks(0));
    let mut lines = Vec::with_capacity(items.len());
    for item in items {
        let quantity = item
            .get(I_QUANTITY)
            .and_then(Value::as_decimal)
            .unwrap_or(Decimal::ONE);
        let first_date = Ticks(order_date.0 + days(rng.random_range(3..=40)));
        let split = rng.random_bool(0.15);
        let share = Decimal::new(rng.random_range(40..=70), 2);
        let second_date = Ticks(first_date.0 + days(rng.random_range(7..=28)));
        let first_quantity = (quantity * share).round_dp(0).max(Decimal::ONE);
        if split && first_quantity < quantity {
            lines.push(line(item, 1, first_date, first_quantity));
            lines.push(line(item, 2, second_date, quantity - first_quantity));
        } else {
            lines.push(line(item, 1, first_date, quantity));
        }
    }
    lines
}

/// A schedule line of `item` with SAP's defaults for what a client does not send.
pub(crate) fn line(item: &[Value], number: u64, date: Ticks, quantity: Decimal) -> Row {
    let text = |index: usize| item.get(index).cloned().unwrap_or(Value::string(""));
    let mut quantity = quantity;
    quantity.rescale(3);
    let delivered = matches!(item.get(I_DELIVERED), Some(Value::Boolean(true)));
    let mut committed = if delivered { quantity } else { Decimal::ZERO };
    committed.rescale(3);
    let mut row = vec![Value::Null; SCHEDULE_PROPERTIES.len()];
    row[S_DOCUMENT] = text(I_PURCHASE_ORDER);
    row[S_ITEM] = text(I_ITEM);
    row[S_LINE] = Value::string(number.to_string());
    row[S_DATE_CATEGORY] = Value::string("1");
    row[S_DELIVERY_DATE] = Value::DateTime(date.start_of_day());
    row[S_QUANTITY_UNIT] = text(I_QUANTITY_UNIT);
    row[S_QUANTITY] = Value::Decimal(quantity);
    row[S_DELIVERY_TIME] = Value::Time(Ticks(0));
    row[S_STATISTICAL_DATE] = Value::DateTime(date.start_of_day());
    row[S_REQUISITION] = text(I_REQUISITION);
    row[S_REQUISITION_ITEM] = text(I_REQUISITION_ITEM);
    row[S_COMMITTED_QUANTITY] = Value::Decimal(committed);
    row
}

/// The numeric value of a NUMC key field (`"10"`, `"00010"`).
pub(crate) fn numc(row: &[Value], index: usize) -> u64 {
    row.get(index)
        .and_then(Value::as_str)
        .and_then(|text| text.parse().ok())
        .unwrap_or(0)
}

/// Makes the lines of `item` add up to its quantity again after the item quantity changed:
/// the last line absorbs the difference; if that would leave it empty, the schedule collapses
/// into its first line, as SAP reduces a split schedule from the back. An item without lines
/// gets one, due on `fallback_date`.
pub(crate) fn rebalance(lines: &mut Vec<Row>, item: &[Value], fallback_date: Ticks) {
    let item_number = numc(item, I_ITEM);
    let quantity = item
        .get(I_QUANTITY)
        .and_then(Value::as_decimal)
        .unwrap_or(Decimal::ONE);
    let positions: Vec<usize> = (0..lines.len())
        .filter(|position| numc(&lines[*position], S_ITEM) == item_number)
        .collect();
    let Some((&last, earlier)) = positions.split_last() else {
        lines.push(line(item, 1, fallback_date, quantity));
        sort(lines);
        return;
    };
    let scheduled_before: Decimal = earlier
        .iter()
        .filter_map(|position| lines[*position][S_QUANTITY].as_decimal())
        .sum();
    let mut remainder = quantity - scheduled_before;
    if remainder > Decimal::ZERO {
        remainder.rescale(3);
        lines[last][S_QUANTITY] = Value::Decimal(remainder);
        lines[last][S_QUANTITY_UNIT] = item.get(I_QUANTITY_UNIT).cloned().unwrap_or(Value::Null);
        return;
    }
    let first = positions[0];
    let mut whole = quantity;
    whole.rescale(3);
    lines[first][S_QUANTITY] = Value::Decimal(whole);
    let drop: Vec<usize> = positions[1..].to_vec();
    for position in drop.into_iter().rev() {
        lines.remove(position);
    }
}

/// Orders lines by item, then line number.
pub(crate) fn sort(lines: &mut [Row]) {
    lines.sort_by_key(|row| (numc(row, S_ITEM), numc(row, S_LINE)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(number: &str, quantity: i64) -> Row {
        let mut item = vec![Value::Null; ITEM_PROPERTIES.len()];
        item[I_PURCHASE_ORDER] = Value::string("4500000001");
        item[I_ITEM] = Value::string(number);
        item[I_QUANTITY] = Value::Decimal(Decimal::new(quantity * 1000, 3));
        item[I_QUANTITY_UNIT] = Value::string("PC");
        item
    }

    fn total(lines: &[Row], number: u64) -> Decimal {
        lines
            .iter()
            .filter(|l| numc(l, S_ITEM) == number)
            .filter_map(|l| l[S_QUANTITY].as_decimal())
            .sum()
    }

    #[test]
    fn schedules_add_up_to_the_item_and_follow_changes() {
        let mut header = vec![Value::Null; HEADER_PROPERTIES.len()];
        header[H_ORDER_DATE] = Value::DateTime(Ticks(0));
        let items: Vec<Row> = (1..=40)
            .map(|i| item(&(i * 10).to_string(), i * 3))
            .collect();
        let mut rng = record_rng(&[7; 32], 1);
        let mut lines = draw(&mut rng, &header, &items);
        assert!(lines.len() > items.len(), "some items are split");
        for it in &items {
            assert_eq!(
                total(&lines, numc(it, I_ITEM)),
                it[I_QUANTITY].as_decimal().expect("q")
            );
        }
        for (quantity, expected_lines) in [(500, None), (1, Some(1))] {
            for it in &items {
                let mut changed = it.clone();
                changed[I_QUANTITY] = Value::Decimal(Decimal::new(quantity * 1000, 3));
                rebalance(&mut lines, &changed, Ticks(0));
                let number = numc(it, I_ITEM);
                assert_eq!(total(&lines, number), Decimal::from(quantity));
                if let Some(count) = expected_lines {
                    assert_eq!(
                        lines.iter().filter(|l| numc(l, S_ITEM) == number).count(),
                        count
                    );
                }
            }
        }
    }
}
