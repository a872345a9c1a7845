package io.rlhf4j.cli;

import io.rlhf4j.trainers.config.ConfigException;
import io.rlhf4j.trainers.data.BadRecordException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code rlhf4j} command. Each subcommand is one class in this package implementing
 * {@code Callable<Integer>}; adding one is that class plus its entry in {@code subcommands} below.
 */
@Command(name = "rlhf4j", mixinStandardHelpOptions = true, version = "rlhf4j 0.1.0",
        description = "RLHF training on a Java tensor engine.",
        subcommands = {
            SftCommand.class,
            RmCommand.class,
            PrmCommand.class,
            DpoCommand.class,
            SimpoCommand.class,
            KtoCommand.class,
            GrpoCommand.class,
            PpoCommand.class,
            EvalCommand.class,
            PipelineCommand.class,
            DemoCommand.class,
            InspectCommand.class,
            GenerateCommand.class,
            LogprobsCommand.class,
            MergeCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line and returns its exit code: 0 success, 1 a failed run, 2 a usage error,
     * 3 an evaluation (or a pipeline's eval stage) whose gate failed.
     */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler(Main::failure);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Errors a user can fix (config, data, a missing file) print one message naming the file, line
     * or field at fault; anything else prints its stack trace too.
     */
    private static int failure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        if (e instanceof ConfigException || e instanceof BadRecordException || e instanceof UserError) {
            err.println("error: " + e.getMessage());
        } else {
            err.println("error: " + e);
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }

    /** A problem with the user's input, reported without a stack trace. */
    static final class UserError extends RuntimeException {
        UserError(String message) {
            super(message);
        }
    }
}
