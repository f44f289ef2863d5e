import { login } from "../actions";

export default function Login() {
  return (
    <main>
      <h1>Sign in</h1>
      <form action={login}>
        <input name="name" placeholder="Your name" required maxLength={100} />
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
