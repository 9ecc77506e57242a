package dev.streamtree.ingest.generate;

/**
 * The ten classification functions of Agrawal, Imielinski and Swami (1993), "Database mining: a performance
 * perspective", each deciding whether a loan applicant is in group A.
 */
public final class AgrawalFunction {

    public static final int COUNT = 10;

    private AgrawalFunction() {
    }

    /**
     * @throws IllegalArgumentException when {@code function} is not 1..10
     */
    public static void check(int function) {
        if (function < 1 || function > COUNT) {
            throw new IllegalArgumentException("Agrawal function must be 1..10, got " + function);
        }
    }

    public static boolean groupA(int function, double salary, double commission, double age, int elevel,
                                 double hvalue, double hyears, double loan) {
        return switch (function) {
            case 1 -> age < 40 || age >= 60;
            case 2 -> byAge(age, between(salary, 50_000, 100_000), between(salary, 75_000, 125_000),
                    between(salary, 25_000, 75_000));
            case 3 -> byAge(age, elevel == 0 || elevel == 1, elevel >= 1 && elevel <= 3, elevel >= 2 && elevel <= 4);
            case 4 -> byAge(age,
                    (elevel == 0 || elevel == 1) ? between(salary, 25_000, 75_000) : between(salary, 50_000, 100_000),
                    (elevel >= 1 && elevel <= 3) ? between(salary, 50_000, 100_000) : between(salary, 75_000, 125_000),
                    (elevel >= 2 && elevel <= 4) ? between(salary, 50_000, 100_000) : between(salary, 25_000, 75_000));
            case 5 -> byAge(age,
                    between(salary, 50_000, 100_000) ? between(loan, 100_000, 300_000) : between(loan, 200_000, 400_000),
                    between(salary, 75_000, 125_000) ? between(loan, 200_000, 400_000) : between(loan, 300_000, 500_000),
                    between(salary, 25_000, 75_000) ? between(loan, 300_000, 500_000) : between(loan, 100_000, 300_000));
            case 6 -> {
                double total = salary + commission;
                yield byAge(age, between(total, 50_000, 100_000), between(total, 75_000, 125_000),
                        between(total, 25_000, 75_000));
            }
            case 7 -> 2.0 / 3.0 * (salary + commission) - loan / 5.0 - 20_000 > 0;
            case 8 -> 2.0 / 3.0 * (salary + commission) - 5_000.0 * elevel - 20_000 > 0;
            case 9 -> 2.0 / 3.0 * (salary + commission) - 5_000.0 * elevel - loan / 5.0 - 10_000 > 0;
            case 10 -> {
                double equity = hyears >= 20 ? 0.1 * hvalue * (hyears - 20) : 0;
                yield 2.0 / 3.0 * (salary + commission) - 5_000.0 * elevel + equity / 5.0 - 10_000 > 0;
            }
            default -> throw new IllegalArgumentException("Agrawal function must be 1..10, got " + function);
        };
    }

    private static boolean byAge(double age, boolean young, boolean middle, boolean old) {
        return age < 40 ? young : age < 60 ? middle : old;
    }

    private static boolean between(double value, double low, double high) {
        return value >= low && value <= high;
    }
}
