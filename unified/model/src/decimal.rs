//! Exact money arithmetic: amounts are rounded to the currency's minor unit, half away from zero,
//! as ERP systems print them.

use rust_decimal::{Decimal, RoundingStrategy};

/// Decimal places of a currency's minor unit (ISO 4217). Unknown codes use 2, the common case.
pub fn currency_decimals(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "CLP" | "ISK" | "VND" | "PYG" | "UGX" | "XAF" | "XOF" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" | "LYD" | "IQD" => 3,
        _ => 2,
    }
}

/// Rounds an amount to the currency's minor unit.
pub fn round_amount(amount: Decimal, currency: &str) -> Decimal {
    amount.round_dp_with_strategy(
        currency_decimals(currency),
        RoundingStrategy::MidpointAwayFromZero,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn check(amount: &str, currency: &str, expected: &str) {
        let got = round_amount(Decimal::from_str(amount).unwrap(), currency);
        assert_eq!(got.to_string(), expected, "{amount} {currency}");
    }

    #[test]
    fn rounds_to_the_minor_unit() {
        check("10.005", "EUR", "10.01");
        check("-10.005", "USD", "-10.01");
        check("1234.5", "JPY", "1235");
        check("1.0005", "KWD", "1.001");
        check("7", "EUR", "7");
    }
}
