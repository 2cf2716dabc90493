package dev.parley.server;

import dev.parley.im.Error;
import dev.parley.im.ImException;
import dev.parley.transport.Transport;
import org.junit.jupiter.api.AfterEach;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Registration on a server with accounts, over every transport in {@link Transports}. */
class ImServerAccountsTest {

    private static final Error WRONG = new Error("wrong username or password", "Register");

    private final Accounts accounts = Accounts.none()
            .with("alice", "correct horse".toCharArray(), AccountsTest.FAST)
            .with("bob", "battery staple".toCharArray(), AccountsTest.FAST);
    private final List<AutoCloseable> opened = new ArrayList<>();
    private Transport transport;
    private ImServer server;

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    @OverEveryTransport
    void letsAUserRegisterWithTheRightPassword(String transportName) throws Exception {
        start(transportName, options().build());

        assertThat(connect("alice").register("online", "correct horse")).isEqualTo(Map.of("alice", "online"));
        assertThat(connect("BOB").register("busy", "battery staple")).containsKeys("alice", "BOB");
    }

    @OverEveryTransport
    void refusesAWrongPasswordANameWithoutAccountAndAMissingPasswordWithTheSameError(String transportName)
            throws Exception {
        start(transportName, options().failedLoginDelay(Duration.ZERO).build());
        connect("bob").register("online", "battery staple");

        assertRefused(connect("alice"), "battery staple");
        assertRefused(connect("alice"), "");
        assertRefused(connect("carol"), "correct horse");
        assertRefused(connect("bob"), "wrong guess");
        assertThat(server.onlineUsers()).containsOnlyKeys("bob");
    }

    @OverEveryTransport
    void saysANameIsTakenOnlyToAClientWithItsPassword(String transportName) throws Exception {
        start(transportName, options().failedLoginDelay(Duration.ZERO).build());
        connect("alice").register("online", "correct horse");

        assertRefused(connect("alice"), "guess");
        assertThatThrownBy(() -> connect("alice").register("online", "correct horse"))
                .isInstanceOfSatisfying(ImException.class, e -> assertThat(e.error())
                        .isEqualTo(new Error("username alice is taken", "Register")));
    }

    @OverEveryTransport
    void servesEveryoneWhileARefusalIsDelayed(String transportName) throws Exception {
        start(transportName, options().failedLoginDelay(Duration.ofHours(1)).build());
        var mallory = connect("alice");
        var refusal = mallory.client().register("alice", "online", "guess");

        var bob = connect("bob");
        assertThat(bob.register("online", "battery staple")).containsOnlyKeys("bob");
        bob.client().status("away");
        bob.awaitOnline(online -> "away".equals(online.get("bob")));
        mallory.client().status("impatient");
        assertThat(mallory.await(Error.class)).isEqualTo(new Error("register first", "StatusChange"));
        assertThat(connect("alice").register("online", "correct horse")).containsOnlyKeys("alice", "bob");

        assertThat(refusal).as("the refusal is still waiting for its delay").isNotDone();
    }

    @OverEveryTransport
    void checksPasswordsOnThreadsOfTheirOwnAndRefusesAtOncePastTheLimit(String transportName) throws Exception {
        var checking = new CountDownLatch(1);
        var finish = new CountDownLatch(1);
        var checkedOn = new CopyOnWriteArrayList<String>();
        BiPredicate<String, String> slowForAlice = (username, password) -> {
            checkedOn.add(Thread.currentThread().getName());
            if (username.equals("alice")) {
                checking.countDown();
                await(finish);
            }
            return password.equals("right");
        };
        start(transportName, options().maxConcurrentPasswordChecks(1).build(), slowForAlice);
        var bob = connect("bob");
        bob.register("online", "right");

        var alice = connect("alice");
        alice.client().register("alice", "online", "right");
        await(checking);
        alice.client().register("alice", "online", "right");
        var carol = connect("carol");

        assertThat(alice.await(Error.class))
                .isEqualTo(new Error("already checking a password for this connection", "Register"));
        assertThatThrownBy(() -> carol.register("online", "right"))
                .isInstanceOfSatisfying(ImException.class, e -> assertThat(e.error()).isEqualTo(
                        new Error("busy checking other passwords: try again in a moment", "Register")));
        bob.client().status("unaffected");
        bob.awaitOnline(online -> "unaffected".equals(online.get("bob")));

        finish.countDown();
        alice.awaitOnline(online -> online.containsKey("alice"));
        assertThat(carol.register("online", "right")).containsKeys("alice", "bob", "carol");
        assertThat(checkedOn).allMatch(name -> name.startsWith("parley-im-password-"));
    }

    @OverEveryTransport
    void refusesABadNameOrStatusAtOnceWithoutCheckingThePassword(String transportName) throws Exception {
        start(transportName, options().failedLoginDelay(Duration.ofHours(1)).build());

        assertThatThrownBy(() -> connect("al/ice").register("online", "correct horse"))
                .isInstanceOfSatisfying(ImException.class, e -> assertThat(e.error().message())
                        .startsWith("invalid username 'al/ice'"));
        assertThatThrownBy(() -> connect("alice").register("online", "x".repeat(Accounts.MAX_PASSWORD_LENGTH + 1)))
                .isInstanceOfSatisfying(ImException.class, e -> assertThat(e.error())
                        .isEqualTo(new Error("password too long (at most 1024 characters)", "Register")));
    }

    @OverEveryTransport
    void ignoresThePasswordOnAnOpenServer(String transportName) throws Exception {
        start(transportName, ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).build());

        assertThat(connect("alice").register("online", "anything")).containsOnlyKeys("alice");
    }

    private void assertRefused(ScriptedClient client, String password) {
        assertThatThrownBy(() -> client.register("online", password))
                .isInstanceOfSatisfying(ImException.class, e -> assertThat(e.error()).isEqualTo(WRONG));
    }

    private ServerOptions.Builder options() {
        return ServerOptions.builder().onlineBroadcastPeriod(Duration.ZERO).accounts(accounts);
    }

    private void start(String transportName, ServerOptions options) throws IOException {
        start(transportName, options, options.accounts() == null ? null : options.accounts()::verify);
    }

    private void start(String transportName, ServerOptions options, BiPredicate<String, String> passwordCheck)
            throws IOException {
        transport = Transports.create(transportName);
        server = ImServer.start(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), options,
                System::nanoTime, passwordCheck);
        opened.add(server);
    }

    private ScriptedClient connect(String username) throws IOException {
        var client = ScriptedClient.connect(transport, server.localAddress(), username);
        opened.add(client);
        return client;
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(ScriptedClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as("latch").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
