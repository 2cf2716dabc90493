package dev.parley.server;

import dev.parley.im.Error;
import dev.parley.im.ImProtocol;
import dev.parley.im.Register;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.Lock;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;

/**
 * What stands in front of the {@link ChatCore}: each connection's request budget (a
 * {@link RateLimit} in its {@link Session}) and, on a server with accounts, the password a
 * {@link Register} must carry, as {@link ImServer}'s contract describes them.
 *
 * <p>A request over budget is answered "slow down" and not carried out; too many of those in a row
 * and the client is told it is sent away and its connection closed. A password is checked on a
 * password thread, of which a {@link Semaphore} lets at most
 * {@link ServerOptions#maxConcurrentPasswordChecks()} be busy at once: past that a {@code Register}
 * is refused at once as "busy". A right password hands the {@code Register} to the chat core, which
 * alone says whether the name is taken; a wrong one is refused after
 * {@link ServerOptions#failedLoginDelay()}, by the {@link Scheduler}, so that guessing is slow while
 * the connection's other requests are answered meanwhile.
 *
 * <p><b>Threads.</b> {@link #withinRate} and {@link #logIn} are called on the connection's delivery
 * thread, not holding the server's lock, which they take to read and change the {@code Session}; the
 * check itself runs on the password {@link Executor}, and the delayed refusal on the
 * {@code Scheduler}'s thread, each taking the lock to answer. Replies to the requester alone are sent
 * with the lock released.
 */
final class Gate {

    /** The server's log: its lines are part of {@link ImServer}'s contract. */
    private static final Logger log = LoggerFactory.getLogger(ImServer.class);

    private final ServerOptions options;
    private final Rules rules;
    private final LongSupplier nanoClock;
    private final Lock lock;
    private final Clients clients;
    private final Scheduler scheduler;
    private final ChatCore core;
    /** Null on an open server, as are the two below. */
    private final BiPredicate<String, String> passwordCheck;
    private final Executor passwordThreads;
    private final Semaphore passwordChecks;
    /** Counts the refusals given here. */
    private final Tally tally;

    /**
     * A gate in front of {@code core}, measuring request rates by {@code nanoClock}; checking
     * passwords with {@code passwordCheck} (username, password) on {@code passwordThreads}, or open
     * if {@code passwordCheck} is null.
     */
    Gate(ServerOptions options, LongSupplier nanoClock, Lock lock, Clients clients, Scheduler scheduler,
         ChatCore core, BiPredicate<String, String> passwordCheck, Executor passwordThreads, Tally tally) {
        this.options = options;
        this.rules = new Rules(options);
        this.nanoClock = nanoClock;
        this.lock = lock;
        this.clients = clients;
        this.scheduler = scheduler;
        this.core = core;
        this.passwordCheck = passwordCheck;
        this.passwordThreads = passwordThreads;
        this.tally = tally;
        this.passwordChecks = passwordCheck == null ? null : new Semaphore(options.maxConcurrentPasswordChecks());
    }

    /** A full request budget, for a connection opening now. */
    RateLimit newBudget() {
        return new RateLimit(options.messagesPerSecond(), options.messageBurst(), options.maxRefusedInARow(),
                nanoClock.getAsLong());
    }

    /** Whether a {@link Register} goes to {@link #logIn} rather than straight to the chat core. */
    boolean checksPasswords() {
        return passwordCheck != null;
    }

    /**
     * Takes one request, {@code message}, from {@code session}'s budget. If none is left, answers
     * "slow down", or tells the client it is sent away and closes the connection, and returns false.
     */
    boolean withinRate(Session session, Object message) {
        String request = message.getClass().getSimpleName();
        RateLimit.Verdict verdict;
        lock.lock();
        try {
            verdict = session.rate.take(nanoClock.getAsLong());
        } finally {
            lock.unlock();
        }
        switch (verdict) {
            case ALLOW -> {
                return true;
            }
            case REFUSE -> {
                tally.refused(Refusal.Cause.RATE_LIMITED);
                clients.reply(session, Refusal.error(message, "slow down: at most " + options.messagesPerSecond()
                        + " requests a second, " + options.messageBurst() + " at once"), request);
            }
            case DISCONNECT -> {
                tally.refused(Refusal.Cause.RATE_LIMITED);
                log.info("{}: closing after {} requests in a row over the rate limit", session.from,
                        options.maxRefusedInARow());
                clients.reply(session, Refusal.error(message, "too many requests over the rate limit: closing the "
                        + "connection"), request);
                clients.close(session);
            }
        }
        return false;
    }

    /**
     * Checks the password of {@code register} on a password thread, if one is free and the request
     * is well-formed; otherwise refuses it at once.
     */
    void logIn(Session session, Register register) {
        String request = ImProtocol.requestName(register);
        Error refusal = null;
        lock.lock();
        try {
            checkLogIn(session, register);
            session.checkingPassword = true;
        } catch (Refusal refused) {
            tally.refused(refused.cause());
            refusal = new Error(refused.getMessage(), request);
        } finally {
            lock.unlock();
        }
        if (refusal != null) {
            clients.reply(session, refusal, request);
            return;
        }
        try {
            passwordThreads.execute(() -> checkPassword(session, register));
        } catch (RejectedExecutionException closing) {
            passwordChecks.release();
        }
    }

    /** Refuses a {@code Register} that needs no password check to be refused; takes a password thread. */
    private void checkLogIn(Session session, Register register) throws Refusal {
        if (session.isRegistered()) {
            throw new Refusal(Refusal.Cause.OUT_OF_TURN, "already registered as " + session.username);
        }
        if (session.checkingPassword) {
            throw new Refusal(Refusal.Cause.OUT_OF_TURN, "already checking a password for this connection");
        }
        rules.checkUsername(register.username());
        rules.checkStatus(register.status());
        if (register.password().length() > Accounts.MAX_PASSWORD_LENGTH) {
            throw new Refusal(Refusal.Cause.INVALID,
                    "password too long (at most " + Accounts.MAX_PASSWORD_LENGTH + " characters)");
        }
        if (!passwordChecks.tryAcquire()) {
            throw new Refusal(Refusal.Cause.BUSY, "busy checking other passwords: try again in a moment");
        }
    }

    /** On a password thread: registers the user if the password is right, else refuses after the delay. */
    private void checkPassword(Session session, Register register) {
        boolean right;
        try {
            right = passwordCheck.test(register.username(), register.password());
        } catch (RuntimeException e) {
            log.warn("could not check the password for {}: {}", Rules.echo(register.username()), e.toString());
            right = false;
        } finally {
            passwordChecks.release();
        }
        if (right) {
            finishLogIn(session, register);
            return;
        }
        log.info("wrong password or no account for {} from {}", Rules.echo(register.username()), session.from);
        try {
            scheduler.schedule(() -> refuseLogIn(session), options.failedLoginDelay());
        } catch (RejectedExecutionException closing) {
            log.debug("server closing: refusal to {} not sent", session.from);
        }
    }

    /** Registers {@code session} as {@code register} asks, its password being right, if it is still connected. */
    private void finishLogIn(Session session, Register register) {
        lock.lock();
        try {
            session.checkingPassword = false;
            if (!session.closed) {
                core.register(session, register);
            }
        } catch (Refusal refusal) {
            tally.refused(refusal.cause());
            clients.broadcast(List.of(session), new Error(refusal.getMessage(), ImProtocol.requestName(register)));
        } finally {
            lock.unlock();
        }
    }

    /** On the scheduler: tells {@code session} its password or name was wrong, if it is still connected. */
    private void refuseLogIn(Session session) {
        lock.lock();
        try {
            session.checkingPassword = false;
            tally.refused(Refusal.Cause.WRONG_CREDENTIALS);
            if (!session.closed) {
                clients.broadcast(List.of(session), new Error(ImServer.WRONG_CREDENTIALS,
                        Register.class.getSimpleName()));
            }
        } finally {
            lock.unlock();
        }
    }
}
