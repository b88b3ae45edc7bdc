"""How user KNN's top-N time grows with the number of users (the basis of `USER_KNN_MAX_USERS`).

    python benchmarks/user_knn.py                  # 10,000, 20,000 and 40,000 users
    python benchmarks/user_knn.py 5000 80000

Each synthetic release has 100 ratings per user and a movie per four users; the table times `fit` and the
top 10 of every user (what the top-N protocol asks), in blocks of 1,000 users, then fits the exponent of
time against users and extrapolates to ml-32m's 200,948 users.
"""
import argparse, time
import numpy as np, pandas as pd
from movierec.data import synth_movielens
from movierec.baselines import UserKNN

def measure(n_users:int) -> dict:
    ml = synth_movielens(n_users, n_users // 4, n_users * 100, seed=0)
    t = time.perf_counter(); m = UserKNN(ml, max_users=10**9).fit(ml.ratings); fit = time.perf_counter() - t
    users = ml.ratings.userId.unique()
    t = time.perf_counter()
    for s in range(0, len(users), 1000): m.rank(users[s:s + 1000], 10)
    return dict(users=n_users, ratings=len(ml.ratings), fit_s=round(fit, 1), top10_s=round(time.perf_counter() - t, 1))

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('users', type=int, nargs='*', default=[10_000, 20_000, 40_000])
    a = p.parse_args()
    df = pd.DataFrame([measure(n) for n in a.users])
    print(df.to_string(index=False))
    if len(df) > 1:
        b = np.polyfit(np.log(df.users), np.log(df.top10_s), 1)[0]
        far = df.top10_s.iloc[-1] * (200_948 / df.users.iloc[-1]) ** b
        print(f"exponent {b:.2f}; at 200,948 users: about {far / 60:.0f} minutes")
