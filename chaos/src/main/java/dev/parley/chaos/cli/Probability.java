package dev.parley.chaos.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads a probability written as a fraction ({@code 0.1}) or a percentage ({@code 10%}). Stateless. */
final class Probability implements ITypeConverter<Double> {

    @Override
    public Double convert(String text) {
        String trimmed = text.strip();
        double value;
        try {
            value = trimmed.endsWith("%")
                    ? Double.parseDouble(trimmed.substring(0, trimmed.length() - 1)) / 100
                    : Double.parseDouble(trimmed);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a probability such as 0.1 or 10%");
        }
        if (!(value >= 0 && value <= 1)) {
            throw new TypeConversionException("'" + text + "' is not between 0 and 1 (0% and 100%)");
        }
        return value;
    }
}
